// The screenshot check: takes the page's full-page screenshot and, in the page, decodes that
// PNG and measures each element of `selectors` in it: visible, a non-empty text, its box inside
// the image, and the pixels inside the box: how many are text ("ink": darker than mid-grey) and
// how many are the page's active-state green (#137333). So "the screenshot shows the CID and the
// status" is checked on the image itself, not only on the DOM.

const ACTIVE_GREEN = [0x13, 0x73, 0x33];

/** Resolves to { png, width, height, elements: [{ selector, text, box, ink, green, ok }] }. */
export async function checkScreenshot(page, selectors) {
  await page.evaluate(() => window.scrollTo(0, 0));
  const png = await page.screenshot({ fullPage: true });
  const measured = await page.evaluate(
    async ({ b64, selectors, green }) => {
      const blob = await (await fetch(`data:image/png;base64,${b64}`)).blob();
      const image = await createImageBitmap(blob);
      const canvas = new OffscreenCanvas(image.width, image.height);
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(image, 0, 0);
      const scale = window.devicePixelRatio;
      const elements = selectors.map((selector) => {
        const el = document.querySelector(selector);
        const text = el?.textContent.trim() ?? '';
        const r = el?.getBoundingClientRect();
        const visible = Boolean(el?.checkVisibility({ opacityProperty: true, visibilityProperty: true }));
        const [x, y] = [Math.floor((r.left + scrollX) * scale), Math.floor((r.top + scrollY) * scale)];
        const [w, h] = [Math.ceil(r.width * scale), Math.ceil(r.height * scale)];
        const inside = w > 0 && h > 0 && x >= 0 && y >= 0 && x + w <= image.width && y + h <= image.height;
        let [ink, greenPixels] = [0, 0];
        if (inside) {
          const d = ctx.getImageData(x, y, w, h).data;
          for (let i = 0; i < d.length; i += 4) {
            if (d[i] + d[i + 1] + d[i + 2] < 384) ink++;
            if (green.every((c, k) => Math.abs(d[i + k] - c) < 24)) greenPixels++;
          }
        }
        return {
          selector,
          text,
          box: `${w}×${h}+${x}+${y}`,
          ink,
          green: greenPixels,
          ok: visible && inside && text.length > 0 && ink > 0,
        };
      });
      return { width: image.width, height: image.height, elements };
    },
    { b64: png.toString('base64'), selectors, green: ACTIVE_GREEN },
  );
  return { png, ...measured };
}
