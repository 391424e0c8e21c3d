// Express + express-oauth2-jwt-bearer, configured like bench-api: the same issuer keys,
// audience and scope. PORT, ISSUER (the endpoint; issuer is ENDPOINT/oidc) from the environment.
import express from 'express';
import { auth, requiredScopes } from 'express-oauth2-jwt-bearer';

const endpoint = process.env.ISSUER;
const app = express();
const checkJwt = auth({
  issuer: `${endpoint}/oidc`,
  jwksUri: `${endpoint}/oidc/jwks`,
  audience: 'https://api.example.com',
  tokenSigningAlg: 'ES384',
});

app.get('/open', (req, res) => res.send('ok'));
app.get('/protected', checkJwt, requiredScopes('read:orders'), (req, res) => res.send('ok'));
app.listen(Number(process.env.PORT), '127.0.0.1');
