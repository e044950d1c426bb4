// Preloaded (node --import) into the web app's process by the launcher, which starts it with an
// IPC channel: if the channel closes because the launcher died without stopping us (kill -9, a
// crash), stop as on SIGTERM instead of holding the port as an orphan.
if (process.channel) {
  process.on("disconnect", () => {
    process.kill(process.pid, "SIGTERM");
  });
}
