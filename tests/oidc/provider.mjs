// An OpenID Connect provider on loopback for the single sign-on browser tests
// (node-oidc-provider with its development sign-in pages: any login name is
// accepted and becomes the person's email address).
//
//   OIDC_PORT=9000 OIDC_REDIRECT_URI=http://127.0.0.1:8501/oauth2callback \
//   OIDC_CLIENT_ID=dashboard OIDC_CLIENT_SECRET=... node provider.mjs
//
// It prints "listening <issuer>" once it answers.
import http from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.OIDC_CLIENT_ID,
      client_secret: process.env.OIDC_CLIENT_SECRET,
      redirect_uris: [process.env.OIDC_REDIRECT_URI],
      post_logout_redirect_uris: [new URL('/', process.env.OIDC_REDIRECT_URI).href],
      response_types: ['code'],
      grant_types: ['authorization_code'],
    },
  ],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // The email address in the ID token, as Entra ID and Google put it (Streamlit reads it there).
  conformIdTokenClaims: false,
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true, name: id };
      },
    };
  },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  cookies: { keys: ['a key for the test provider only'] },
});
provider.proxy = false;

http.createServer(provider.callback()).listen(port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
