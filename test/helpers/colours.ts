// Contrast of CSS colours as the WCAG defines it, and a translucent colour laid over another (text
// on a see-through backing over a video: the worst case is the backing over a white or black frame).

type Rgba = { r: number; g: number; b: number; a: number };

/** Parses rgb() and rgba() as getComputedStyle writes them. */
export function parseColour(css: string): Rgba {
  const [r = 0, g = 0, b = 0, a = 1] = (css.match(/[\d.]+/g) ?? []).map(Number);
  return { r, g, b, a };
}

/** `top` laid over the opaque `base`. */
export function over(top: string, base: string): string {
  const t = parseColour(top);
  const u = parseColour(base);
  const mix = (x: number, y: number): number => x * t.a + y * (1 - t.a);
  return `rgb(${mix(t.r, u.r)}, ${mix(t.g, u.g)}, ${mix(t.b, u.b)})`;
}

/** Relative luminance contrast of two opaque CSS colours, from 1 to 21. */
export function contrast(a: string, b: string): number {
  const luminance = (css: string): number => {
    const { r, g, b: blue } = parseColour(css);
    const [lr, lg, lb] = [r, g, blue].map((v) => {
      const c = v / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * lr + 0.7152 * lg + 0.0722 * lb;
  };
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (high + 0.05) / (low + 0.05);
}
