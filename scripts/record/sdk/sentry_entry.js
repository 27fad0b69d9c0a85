// esbuild entry: the npm @sentry/browser as a browser global (window.Sentry), bundled
// locally by record_sdk.js (no CDN).
import * as Sentry from '@sentry/browser';
window.Sentry = Sentry;
