import { errorsAt, type FieldErrors } from "./field-errors";


/** The messages for the given paths and what is under them; `exact` leaves out what is under them. */
export function FieldError(props: { errors: FieldErrors; paths: string[]; exact?: boolean; testId?: string }) {
  const messages = props.exact ? props.paths.flatMap((path) => props.errors.get(path) ?? []) : errorsAt(props.errors, ...props.paths);
  if (messages.length === 0) return null;
  return (
    <p className="mt-1 text-xs text-red-600" role="alert" data-testid={props.testId ?? "field-error"} data-field={props.paths[0]}>
      {messages.join(" · ")}
    </p>
  );
}
