// The token of a link sent by e-mail: it travels in the address's fragment, which the browser
// never sends to a server. Read once, then removed from the address bar and the history.
export function takeLinkToken(): string {
  const token = window.location.hash.slice(1);
  if (token !== '') window.history.replaceState(null, '', window.location.pathname);
  return token;
}
