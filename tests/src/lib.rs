//! Harness shared by the workspace's black-box tests: child processes that are always stopped,
//! whose output is read line by line until they say they are ready.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt as _, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

/// A child process, killed when dropped (also when a test panics).
pub struct Process {
    name: String,
    child: Child,
    lines: mpsc::UnboundedReceiver<String>,
    transcript: Arc<Mutex<Vec<String>>>,
}

impl Process {
    /// Starts `command` with stdout and stderr captured line by line.
    ///
    /// # Panics
    ///
    /// When the program cannot be started.
    pub fn spawn(name: &str, mut command: Command) -> Self {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let (sender, lines) = mpsc::unbounded_channel();
        let transcript = Arc::new(Mutex::new(Vec::new()));
        if let Some(stdout) = child.stdout.take() {
            forward(stdout, sender.clone(), Arc::clone(&transcript));
        }
        if let Some(stderr) = child.stderr.take() {
            forward(stderr, sender, Arc::clone(&transcript));
        }
        Self {
            name: name.to_owned(),
            child,
            lines,
            transcript,
        }
    }

    /// Waits until a line of output gives `Some`, and returns that.
    ///
    /// # Panics
    ///
    /// When the process exits or `timeout` passes first; the message has its output.
    pub async fn wait_for<T>(&mut self, timeout: Duration, mut ready: impl FnMut(&str) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, self.lines.recv()).await {
                Ok(Some(line)) => {
                    if let Some(value) = ready(&line) {
                        return value;
                    }
                }
                Ok(None) => panic!("{} exited before it was ready:\n{}", self.name, self.output()),
                Err(_) => panic!("{} not ready after {timeout:?}:\n{}", self.name, self.output()),
            }
        }
    }

    /// Everything the process printed so far.
    #[must_use]
    pub fn output(&self) -> String {
        self.transcript
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .join("\n")
    }

    /// Stops the process now and waits for it.
    pub async fn stop(&mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

fn forward(
    stream: impl AsyncRead + Unpin + Send + 'static,
    sender: mpsc::UnboundedSender<String>,
    transcript: Arc<Mutex<Vec<String>>>,
) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            transcript
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(line.clone());
            let _ = sender.send(line);
        }
    });
}

/// The base URL Rocket printed in its "launched from" line, if `line` is that line.
#[must_use]
pub fn rocket_launch_url(line: &str) -> Option<String> {
    let start = line.find("launched from ")? + "launched from ".len();
    let url: String = line[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .filter(|c| c.is_ascii())
        .collect();
    url.starts_with("http").then_some(url)
}

/// Starts a built binary of this workspace as a Rocket app on a free port, with `env`, and
/// waits until Rocket says it launched. Returns the process and its base URL.
pub async fn launch_rocket_binary(binary: &str, env: &[(&str, &str)]) -> (Process, String) {
    let mut command = Command::new(binary);
    command
        .env("ROCKET_PORT", "0")
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_CLI_COLORS", "false")
        .env_remove("LOGTO_ENDPOINT");
    for (key, value) in env {
        command.env(key, value);
    }
    let mut process = Process::spawn(binary, command);
    let url = process
        .wait_for(Duration::from_secs(30), rocket_launch_url)
        .await;
    (process, url)
}
