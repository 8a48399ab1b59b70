"use client";

import { useEffect } from "react";

// The error boundary of every signed-in page: an unexpected failure (the database gone, a bug) shows what happened
// and a way to retry, inside the app's frame, instead of a blank page. Not-found is handled by notFound() in pages.
// In production Next.js replaces a server error's message with a generic one and gives a digest that is also in the
// server log, so the digest is what the user can quote.
export default function AppError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div className="p-8" data-testid="page-error">
      <div role="alert" className="max-w-2xl rounded-md border border-red-200 bg-red-50 p-4 text-sm text-red-800">
        <h1 className="mb-1 text-base font-semibold">This page could not be loaded</h1>
        <p className="whitespace-pre-line">{error.message || "An unexpected error occurred."}</p>
        {error.digest && <p className="mt-2 text-xs text-red-600">Error reference: {error.digest} (the server log has the details)</p>}
        <button type="button" className="mt-3 rounded-md border border-red-300 bg-white px-3 py-1 text-sm hover:bg-red-100" onClick={() => reset()}>
          Try again
        </button>
      </div>
    </div>
  );
}
