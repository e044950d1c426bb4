// Tailwind CSS 4 through PostCSS (Next.js picks this file up); HeroUI's styles build on it.
export default {
  plugins: { "@tailwindcss/postcss": {} },
};
