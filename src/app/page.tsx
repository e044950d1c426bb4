// Placeholder until the admin UI lands.
export default function HomePage() {
  return (
    <main style={{ maxWidth: "40rem" }}>
      <h1>License Server</h1>
      <p>The server is running. The admin interface comes in a later release.</p>
      <p>
        Health: <a href="/api/health">/api/health</a>
      </p>
    </main>
  );
}
