// Swagger UI for an API that Logto protects (served by logto_guard::okapi::swagger_ui).
//
// Logto issues a JWT for an API only when both the authorization request and the token
// request name the API's resource indicator (RFC 8707 `resource`); otherwise its token is
// opaque. The indicator is the `x-logto-resource` of the document's `logto` scheme.
window.onload = async function () {
  const config = await (await fetch('./swagger-ui-config.json')).json();
  const documentUrl = new URL(config.url, window.location.href).href;
  const spec = await (await fetch(documentUrl)).json();
  const scheme = ((spec.components || {}).securitySchemes || {}).logto || {};
  const resource = scheme['x-logto-resource'];
  const tokenUrls = Object.values(scheme.flows || {}).map((flow) => flow.tokenUrl);

  window.ui = SwaggerUIBundle({
    ...config,
    url: documentUrl,
    dom_id: '#swagger-ui',
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
    // The token request is a form POST: Logto reads `resource` from its body, not the URL.
    requestInterceptor: (request) => {
      const isTokenRequest = tokenUrls.includes(String(request.url).split('?')[0]);
      if (resource && isTokenRequest && typeof request.body === 'string') {
        const body = new URLSearchParams(request.body);
        if (!body.has('resource')) {
          body.set('resource', resource);
          request.body = body.toString();
        }
      }
      return request;
    },
  });
  if (resource) {
    window.ui.initOAuth({
      usePkceWithAuthorizationCodeGrant: true,
      // Sent with the authorization request (and appended to the token URL).
      additionalQueryStringParams: { resource },
    });
  }
};
