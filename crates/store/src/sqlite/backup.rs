//! `undersigned backup`: a consistent copy of a live SQLite database through SQLite's online
//! backup API, safe while the server runs.

use std::path::{Path, PathBuf};

use rusqlite::{
    Connection, OpenFlags,
    backup::{Backup, StepResult},
};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} exists already; choose a new file")]
    Exists(PathBuf),
    #[error("could not open {0}")]
    Open(PathBuf, #[source] rusqlite::Error),
    #[error("could not create the backup file")]
    Create(#[source] std::io::Error),
    #[error("the backup failed")]
    Copy(#[source] rusqlite::Error),
    #[error("the database stayed locked; try again")]
    Busy,
    #[error("the backup task failed")]
    Task,
}

/// Copies the database at `source` to the new file `target`, all pages in one step (one read
/// transaction: in WAL mode the server keeps writing meanwhile, and the copy is the state at
/// the moment the step began). The copy is checked with `PRAGMA integrity_check`.
pub async fn backup(source: &Path, target: &Path) -> Result<(), BackupError> {
    if target.exists() {
        return Err(BackupError::Exists(target.to_owned()));
    }
    let (source, target) = (source.to_owned(), target.to_owned());
    tokio::task::spawn_blocking(move || {
        let from = Connection::open_with_flags(&source, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| BackupError::Open(source.clone(), e))?;
        // The copy holds what the database holds: its owner's alone, like the original.
        crate::files::new_private_file(&target).map_err(BackupError::Create)?;
        let mut to = Connection::open(&target).map_err(|e| BackupError::Open(target.clone(), e))?;
        {
            let backup = Backup::new(&from, &mut to).map_err(BackupError::Copy)?;
            let mut waits = 0;
            loop {
                match backup.step(-1).map_err(BackupError::Copy)? {
                    StepResult::Done => break,
                    StepResult::More => {}
                    // A writer holds a lock for a moment (checkpointing): wait and go on.
                    _ if waits < 100 => {
                        waits += 1;
                        std::thread::sleep(std::time::Duration::from_millis(50));
                    }
                    _ => return Err(BackupError::Busy),
                }
            }
        }
        let check: String = to
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .map_err(BackupError::Copy)?;
        if check != "ok" {
            return Err(BackupError::Copy(rusqlite::Error::InvalidQuery));
        }
        Ok(())
    })
    .await
    .map_err(|_| BackupError::Task)?
}
