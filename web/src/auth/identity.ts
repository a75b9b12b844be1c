/**
 * Who the person is, according to the OpenID Connect provider: the authorization-code flow with PKCE
 * (S256), done by oidc-client-ts. Its state and the tokens live in sessionStorage (never localStorage):
 * they end with the tab and no other tab or later visitor of the machine can read them.
 */
import { UserManager, WebStorageStateStore, type User } from "oidc-client-ts";

import type { RuntimeConfig } from "../config";

export const CALLBACK_PATH = "/auth/callback";

/** What the app remembers across the round trip to the provider. */
interface SignInState {
  readonly returnTo: string;
}

export class Identity {
  private readonly manager: UserManager;

  constructor(config: RuntimeConfig, origin: string = window.location.origin) {
    const store = new WebStorageStateStore({ store: window.sessionStorage });
    this.manager = new UserManager({
      authority: config.issuer,
      client_id: config.clientId,
      redirect_uri: `${origin}${CALLBACK_PATH}`,
      post_logout_redirect_uri: `${origin}/`,
      response_type: "code",
      scope: config.scope,
      userStore: store,
      stateStore: store,
      // No hidden iframes (the app's CSP forbids framing) and no token refresh behind the person's
      // back: when the access token ends, the person signs in again.
      automaticSilentRenew: false,
      monitorSession: false,
      loadUserInfo: false,
    });
  }

  /** Leave for the provider's sign-in page; come back to `returnTo` afterwards. */
  async signIn(returnTo: string): Promise<void> {
    const state: SignInState = { returnTo };
    await this.manager.signinRedirect({ state });
  }

  /** Finish the round trip on the callback URL; where to go next. */
  async completeSignIn(url: string): Promise<string> {
    const user = await this.manager.signinRedirectCallback(url);
    const state = user.state as SignInState | undefined;
    const returnTo = state?.returnTo ?? "/";
    // Only a path on this origin: never an open redirect.
    return returnTo.startsWith("/") && !returnTo.startsWith("//") ? returnTo : "/";
  }

  /** The signed-in person's tokens, when they are still valid. */
  async current(): Promise<User | null> {
    const user = await this.manager.getUser();
    return user !== null && !user.expired ? user : null;
  }

  /** Sign out at the provider too, and come back to the app's start page. */
  async signOut(): Promise<void> {
    const user = await this.manager.getUser();
    await this.forget();
    try {
      await this.manager.signoutRedirect({ id_token_hint: user?.id_token });
    } catch {
      // A provider without an end-session endpoint: the tokens are forgotten here all the same.
      window.location.assign("/");
    }
  }

  /** Forget the tokens here (the provider's own session is left as it is). */
  async forget(): Promise<void> {
    await this.manager.removeUser();
    await this.manager.clearStaleState();
  }
}
