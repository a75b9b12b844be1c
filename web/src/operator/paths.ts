/** The operator area lives under its own entry path: opening it starts the platform's sign-in (a
 * platform session, never a member's), and every other path is the customer's app. */
export const OPERATOR_PATH = "/operator";

export function isOperatorPath(pathname: string): boolean {
  return pathname === OPERATOR_PATH || pathname.startsWith(`${OPERATOR_PATH}/`);
}

export const INCIDENTS_PATH = `${OPERATOR_PATH}/incidents`;

export function incidentPath(incidentId: string): string {
  return `${INCIDENTS_PATH}/${incidentId}`;
}
