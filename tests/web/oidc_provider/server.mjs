// A real OpenID Provider for the tests: panva/oidc-provider with its development sign-in pages
// (any password is accepted for a known account). Usage: node server.mjs <port> <config.json>
// config.json: {"issuer": "...", "clients": [...], "accounts": {"<login>": {claims...}}}
import fs from "node:fs";
import Provider from "oidc-provider";

const [port, configPath] = process.argv.slice(2);
const config = JSON.parse(fs.readFileSync(configPath, "utf8"));

const provider = new Provider(config.issuer, {
  clients: config.clients,
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["preferred_username", "name", "given_name", "family_name", "groups", "amr", "acr"],
  },
  conformIdTokenClaims: false,
  async findAccount(ctx, id) {
    // Read on each sign-in, so a test can change a user's groups at the "IdP" between sign-ins.
    const claims = JSON.parse(fs.readFileSync(configPath, "utf8")).accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => false },
  cookies: { keys: ["vetting-test-only-cookie-key"] },
});
provider.proxy = false;
provider.listen(Number(port), "127.0.0.1", () => {
  console.log(`ready ${config.issuer}`);
});
