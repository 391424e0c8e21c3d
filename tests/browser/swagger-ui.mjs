// Drives headless Chromium through a Swagger UI page served by logto_guard::okapi::swagger_ui:
// for each app, Authorize with the client credentials flow, then "Try it out" on an operation,
// and report what the page shows as one JSON line per app on stdout.
//
//   node swagger-ui.mjs <docs url> <operation id> <scope> <client_id:client_secret>...
//
// Environment: CHROMIUM (default /usr/bin/chromium); SCREENSHOT=<file.png> saves the Authorize
// dialog of the first app, scopes visible; AUTHORIZATION_CODE_CLIENT=<client_id> also starts
// the authorization code flow for that app and reports the authorization request the page
// opens (its query parameters), without signing in.

import { chromium } from 'playwright-core';

const [docsUrl, operationId, scope, ...apps] = process.argv.slice(2);
if (!docsUrl || !operationId || !scope || apps.length === 0) {
  console.error('usage: node swagger-ui.mjs <docs url> <operation id> <scope> <client_id:client_secret>...');
  process.exit(2);
}
const TIMEOUT = 15_000;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  for (const [index, app] of apps.entries()) {
    const [clientId, clientSecret] = app.split(':');
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.setDefaultTimeout(TIMEOUT);
    // What the page sent to the token endpoint, to report the `resource` it carried.
    const tokenRequests = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname.endsWith('/token')) {
        tokenRequests.push(Object.fromEntries(new URLSearchParams(request.postData() ?? '')));
      }
    });
    await page.goto(docsUrl);

    // Authorize: the client credentials section of the dialog.
    await page.locator('.auth-wrapper .btn.authorize').click();
    const section = page.locator('.auth-container', { hasText: 'clientCredentials' });
    await section.locator('#client_id_clientCredentials').fill(clientId);
    await section.locator('#client_secret_clientCredentials').fill(clientSecret);
    await section.locator(`label[for="${scope}-clientCredentials-checkbox-logto"]`).click();
    if (index === 0 && process.env.SCREENSHOT) {
      await page.screenshot({ path: process.env.SCREENSHOT });
    }
    await section.locator('.btn.modal-btn.auth.authorize').click();
    // Swagger UI shows "Logout" once it holds a token, and an error block otherwise.
    await section.locator('button:has-text("Logout"), .errors').first().waitFor();
    const authorizeErrors = await section.locator('.errors').allInnerTexts();
    await page.locator('.btn-done').first().click();

    // Try it out.
    const operation = page.locator(`[id$="-${operationId}"].opblock`);
    await operation.locator('.opblock-summary').click();
    await operation.locator('.try-out__btn').click();
    await operation.locator('.execute').click();
    const response = operation.locator('.live-responses-table .response');
    await response.waitFor();
    console.log(JSON.stringify({
      client_id: clientId,
      authorized: authorizeErrors.length === 0,
      authorize_errors: authorizeErrors,
      token_requests: tokenRequests,
      status: (await response.locator('.response-col_status').innerText()).trim(),
      body: (await response.locator('.response-col_description pre').first().innerText()).trim(),
    }));
    await page.close();
  }
  const authorizationCodeClient = process.env.AUTHORIZATION_CODE_CLIENT;
  if (authorizationCodeClient) {
    const context = await browser.newContext();
    const authorizationRequest = new Promise((resolve) => {
      context.on('request', (request) => {
        const url = new URL(request.url());
        if (url.pathname.endsWith('/auth')) resolve(url);
      });
    });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    await page.goto(docsUrl);
    await page.locator('.auth-wrapper .btn.authorize').click();
    const section = page.locator('.auth-container', { hasText: 'authorizationCode' });
    await section.locator('#client_id_authorizationCode').fill(authorizationCodeClient);
    await section.locator(`label[for="${scope}-authorizationCode-checkbox-logto"]`).click();
    await section.locator('.btn.modal-btn.auth.authorize').click();
    // The request Swagger UI's sign-in popup makes; signing in is the issuer's business.
    const url = await authorizationRequest;
    console.log(JSON.stringify({
      authorization_request: {
        endpoint: `${url.origin}${url.pathname}`,
        ...Object.fromEntries(url.searchParams),
      },
    }));
    await context.close();
  }
} finally {
  await browser.close();
}
