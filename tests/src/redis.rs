//! A real `redis-server` on a free loopback port, for the tests of revocations shared through
//! Redis: no persistence (`--save ''`, `--appendonly no`), so a restart starts empty.

use std::time::Duration;

use tokio::process::Command;

use crate::{Process, tool_available};

/// A `redis-server` child process, stopped when dropped.
pub struct RedisServer {
    process: Process,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

/// Whether the Redis tests should run: `redis-server` runs; when it does not,
/// [`tool_available`] decides.
#[must_use]
pub fn redis_available() -> bool {
    let runs = std::process::Command::new("redis-server")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    runs || tool_available(
        "the Redis tests",
        Some("`redis-server` is missing: install it (e.g. `apt-get install redis-server`)".into()),
    )
}

impl RedisServer {
    /// Starts `redis-server` on a free port.
    pub async fn start() -> Self {
        Self::start_on(crate::free_port()).await
    }

    /// Starts `redis-server` on `port` and waits until it accepts connections.
    ///
    /// # Panics
    ///
    /// When it does not start within 10 s.
    pub async fn start_on(port: u16) -> Self {
        let mut command = Command::new("redis-server");
        command.args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]);
        let mut process = Process::spawn("redis-server", command);
        process
            .wait_for(Duration::from_secs(10), |line| {
                line.contains("Ready to accept connections").then_some(())
            })
            .await;
        Self { process, port }
    }

    /// `redis://127.0.0.1:<port>/`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Stops the server (its data is gone: it keeps none).
    pub async fn stop(&mut self) {
        self.process.stop().await;
    }
}
