/**
 * The auth info of a request, as both MCP SDK lines hand it to a handler (structurally the
 * SDK's `AuthInfo`), so the core needs no SDK types.
 */
export interface CallerAuthInfo {
  /** The access token. */
  token: string;
  /** The OAuth client the token was issued to. */
  clientId: string;
  /** The scopes granted to the token. */
  scopes: string[];
  /** When the token expires, in seconds since the epoch. */
  expiresAt?: number;
  /** The resource the token is for (RFC 8707). */
  resource?: URL;
  /** Anything else the verifier stored; a `sub` or `subject` string here scopes jobs. */
  extra?: Record<string, unknown>;
}

/** Who makes a call: what the adapter read from the request, for scoping and the handler. */
export interface Caller {
  /** The MCP session of the call, if the transport has sessions. */
  sessionId?: string | undefined;
  /** The auth info of the call, if any. */
  authInfo?: CallerAuthInfo | undefined;
}
