// A dynamic route segment as the user wrote it. Whether the framework hands a segment over decoded or not has
// changed between Next.js versions; decoding twice turns "50%" into a URIError (a 500) and "a%2520b" into the wrong
// name. A segment that does not decode is taken as it is: it was already decoded.
export function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    if (error instanceof URIError) return segment;
    throw error;
  }
}
