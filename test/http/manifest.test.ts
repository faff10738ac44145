import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { APP_ICON_PNG_SIZES } from '../../server/http/manifest.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const manifest = suite('the web app manifest');
let server: TestServer;
manifest.before(async () => {
  server = await startTestServer();
});
manifest.after(() => server.close());

manifest('describes an app that opens on /calls, in the page language, with icons that exist at their sizes', async () => {
  for (const [lang, tagline] of [
    ['en', 'Private video calls, hosted by you'],
    ['fr', 'Appels vidéo privés, hébergés chez vous'],
  ] as const) {
    const response = await server.fetch(`/manifest.webmanifest?lang=${lang}`);
    assert.is(response.status, 200);
    assert.match(String(response.headers.get('content-type')), /^application\/manifest\+json/);
    const app = (await response.json()) as {
      start_url: string;
      display: string;
      lang: string;
      description: string;
      icons: { src: string; sizes: string; type: string }[];
    };
    assert.equal([app.start_url, app.display, app.lang, app.description], ['/calls', 'standalone', lang, tagline]);
    for (const icon of app.icons) {
      const file = await server.fetch(icon.src);
      assert.is(file.status, 200, icon.src);
      assert.is(file.headers.get('content-type'), icon.type, icon.src);
      const body = Buffer.from(await file.arrayBuffer());
      if (icon.type !== 'image/png') continue;
      const { width, height } = await sharp(body).metadata();
      assert.is(`${width}x${height}`, icon.sizes, icon.src);
    }
    assert.is(app.icons.filter((icon) => icon.type === 'image/png').length, APP_ICON_PNG_SIZES.length);
  }
});

manifest('is linked from every page, with the icon for iOS home screens', async () => {
  const html = await (await server.fetch('/login')).text();
  assert.ok(html.includes('<link rel="manifest" href="/manifest.webmanifest">'));
  assert.ok(html.includes('<link rel="apple-touch-icon" href="/assets/img/icon-180.png">'));
  assert.match(html, /<meta name="theme-color" content="#[0-9a-f]{6}">/);
});

manifest.run();
