//! Persistence in one embedded SQLite database (WAL mode, versioned schema migrated at
//! startup): alert history, acknowledgements, snoozes, and each integration's login records —
//! the incremental-fetch cursor — so a restart neither re-reads the lookback nor re-raises
//! acknowledged alerts.
//!
//! Calls are short and synchronous behind a mutex; bulk writes run on the blocking pool.

use crate::widgets::Alert;
use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The database file inside the data directory.
pub const DB_FILE: &str = "lookout.db";

/// Migrations, in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE alerts (
    id          TEXT PRIMARY KEY,
    integration TEXT NOT NULL,
    kind        TEXT NOT NULL,
    severity    TEXT NOT NULL,
    title       TEXT NOT NULL,
    message     TEXT NOT NULL,
    ip          TEXT,
    usernames   TEXT NOT NULL,
    failures    INTEGER NOT NULL,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    ongoing     INTEGER NOT NULL,
    labels      TEXT NOT NULL,
    raised_at   INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX alerts_last_seen ON alerts(last_seen);
CREATE TABLE acks (
    alert_id TEXT PRIMARY KEY,
    acked_at INTEGER NOT NULL
);
CREATE TABLE snoozes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    scope      TEXT NOT NULL,
    value      TEXT NOT NULL,
    until      INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE login_records (
    integration TEXT NOT NULL,
    pk          TEXT NOT NULL,
    at          INTEGER NOT NULL,
    record      TEXT NOT NULL,
    PRIMARY KEY (integration, pk)
);
CREATE INDEX login_records_at ON login_records(integration, at);
"#];

/// A storage failure, with what Lookout was doing and where.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("cannot create data directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open database {path}: {detail}")]
    Open { path: PathBuf, detail: String },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// What a snooze silences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SnoozeScope {
    /// An IP or an IPv6 prefix such as `2001:db8::/64`, as alerts show it.
    Ip,
    Username,
}

impl SnoozeScope {
    fn as_str(self) -> &'static str {
        match self {
            SnoozeScope::Ip => "ip",
            SnoozeScope::Username => "username",
        }
    }
}

/// An active snooze.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snooze {
    pub id: i64,
    pub scope: SnoozeScope,
    pub value: String,
    pub until: DateTime<Utc>,
}

impl Snooze {
    /// Whether this snooze silences `alert`.
    pub fn matches(&self, alert: &Alert) -> bool {
        match self.scope {
            SnoozeScope::Ip => alert.ip.as_deref() == Some(self.value.as_str()),
            SnoozeScope::Username => {
                alert.usernames.iter().any(|u| u == &self.value)
                    || (alert.kind == "distributed" && alert.title.contains(&self.value))
            }
        }
    }
}

/// One alert in the history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub integration: String,
    #[serde(flatten)]
    pub alert: Alert,
    pub raised_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// The database.
pub struct Storage {
    conn: Mutex<Connection>,
}

impl Storage {
    /// Opens (creating if needed) `data_dir/lookout.db` and migrates it.
    pub fn open(data_dir: &Path) -> Result<Storage, StorageError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StorageError::CreateDir {
            path: data_dir.to_owned(),
            source,
        })?;
        let path = data_dir.join(DB_FILE);
        let open_err = |e: rusqlite::Error| StorageError::Open {
            path: path.clone(),
            detail: explain(&e),
        };
        let conn = Connection::open(&path).map_err(open_err)?;
        Self::init(conn).map_err(open_err)
    }

    /// A private in-memory database (tests, demo).
    pub fn in_memory() -> Result<Storage, StorageError> {
        Ok(Self::init(Connection::open_in_memory()?)?)
    }

    fn init(conn: Connection) -> Result<Storage, rusqlite::Error> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // WAL: readers never block the writer; a crash (even SIGKILL) loses no committed write.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Touch the schema so a corrupt or non-database file fails here, not later.
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        migrate(&conn, version as usize)?;
        Ok(Storage {
            conn: Mutex::new(conn),
        })
    }

    fn with<R>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<R>,
    ) -> Result<R, StorageError> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        Ok(f(&mut conn)?)
    }

    /// Upserts the alerts an integration currently raises into the history.
    pub fn record_alerts(
        &self,
        integration: &str,
        alerts: &[Alert],
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        if alerts.is_empty() {
            return Ok(());
        }
        self.with(|c| {
            let tx = c.transaction()?;
            {
                let mut stmt = tx.prepare_cached(
                    "INSERT INTO alerts (id, integration, kind, severity, title, message, ip, usernames,
                        failures, first_seen, last_seen, ongoing, labels, raised_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)
                     ON CONFLICT(id) DO UPDATE SET severity = ?4, title = ?5, message = ?6,
                        usernames = ?8, failures = ?9, last_seen = ?11, ongoing = ?12, labels = ?13,
                        updated_at = ?14",
                )?;
                for a in alerts {
                    stmt.execute(params![
                        a.id,
                        integration,
                        a.kind,
                        serde_json::to_string(&a.severity).unwrap_or_default().trim_matches('"'),
                        a.title,
                        a.message,
                        a.ip,
                        serde_json::to_string(&a.usernames).unwrap_or_default(),
                        a.failures,
                        a.first_seen.timestamp(),
                        a.last_seen.timestamp(),
                        a.ongoing,
                        serde_json::to_string(&a.labels).unwrap_or_default(),
                        now.timestamp(),
                    ])?;
                }
            }
            tx.commit()
        })
    }

    /// Alerts whose last activity is at or after `since`, newest first.
    pub fn history(
        &self,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<HistoryEntry>, StorageError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT a.id, a.integration, a.kind, a.severity, a.title, a.message, a.ip, a.usernames,
                        a.failures, a.first_seen, a.last_seen, a.ongoing, a.labels, a.raised_at, k.acked_at
                 FROM alerts a LEFT JOIN acks k ON k.alert_id = a.id
                 WHERE a.last_seen >= ?1 ORDER BY a.last_seen DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![since.timestamp(), limit], |r| {
                let severity: String = r.get(3)?;
                let usernames: String = r.get(7)?;
                let labels: String = r.get(12)?;
                Ok(HistoryEntry {
                    integration: r.get(1)?,
                    alert: Alert {
                        id: r.get(0)?,
                        kind: r.get(2)?,
                        severity: serde_json::from_value(serde_json::Value::String(severity))
                            .unwrap_or(crate::widgets::Severity::Warning),
                        title: r.get(4)?,
                        message: r.get(5)?,
                        ip: r.get(6)?,
                        usernames: serde_json::from_str(&usernames).unwrap_or_default(),
                        failures: r.get(8)?,
                        first_seen: ts(r.get(9)?),
                        last_seen: ts(r.get(10)?),
                        ongoing: r.get(11)?,
                        labels: serde_json::from_str(&labels).unwrap_or_default(),
                        ips: Vec::new(),
                    },
                    raised_at: ts(r.get(13)?),
                    acknowledged_at: r.get::<_, Option<i64>>(14)?.map(ts),
                })
            })?;
            rows.collect()
        })
    }

    /// Records an acknowledgement durably (committed before this returns).
    pub fn acknowledge(&self, alert_id: &str, now: DateTime<Utc>) -> Result<(), StorageError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO acks (alert_id, acked_at) VALUES (?1, ?2) ON CONFLICT(alert_id) DO NOTHING",
                params![alert_id, now.timestamp()],
            )
            .map(drop)
        })
    }

    /// Every acknowledged alert id.
    pub fn acknowledged(&self) -> Result<Vec<String>, StorageError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached("SELECT alert_id FROM acks")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect()
        })
    }

    /// Silences `scope = value` until `until`. Returns the snooze.
    pub fn snooze(
        &self,
        scope: SnoozeScope,
        value: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Snooze, StorageError> {
        let id = self.with(|c| {
            c.execute(
                "INSERT INTO snoozes (scope, value, until, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![scope.as_str(), value, until.timestamp(), now.timestamp()],
            )?;
            Ok(c.last_insert_rowid())
        })?;
        Ok(Snooze {
            id,
            scope,
            value: value.to_owned(),
            until: ts(until.timestamp()),
        })
    }

    /// Snoozes still in force at `now`.
    pub fn active_snoozes(&self, now: DateTime<Utc>) -> Result<Vec<Snooze>, StorageError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, scope, value, until FROM snoozes WHERE until > ?1 ORDER BY until",
            )?;
            let rows = stmt.query_map(params![now.timestamp()], |r| {
                let scope: String = r.get(1)?;
                Ok(Snooze {
                    id: r.get(0)?,
                    scope: if scope == "username" {
                        SnoozeScope::Username
                    } else {
                        SnoozeScope::Ip
                    },
                    value: r.get(2)?,
                    until: ts(r.get(3)?),
                })
            })?;
            rows.collect()
        })
    }

    /// Deletes history, acks and snoozes older than `before`.
    pub fn prune(&self, before: DateTime<Utc>) -> Result<(), StorageError> {
        self.with(|c| {
            let t = before.timestamp();
            c.execute(
                "DELETE FROM acks WHERE alert_id IN (SELECT id FROM alerts WHERE last_seen < ?1)",
                [t],
            )?;
            c.execute("DELETE FROM alerts WHERE last_seen < ?1", [t])?;
            c.execute("DELETE FROM snoozes WHERE until < ?1", [t])?;
            Ok(())
        })
    }

    /// Stores login records (JSON) for `integration` and drops those older than `cutoff`.
    pub fn save_records<T: Serialize>(
        &self,
        integration: &str,
        records: &[(String, DateTime<Utc>, T)],
        cutoff: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.with(|c| {
            let tx = c.transaction()?;
            {
                let mut stmt = tx.prepare_cached(
                    "INSERT OR IGNORE INTO login_records (integration, pk, at, record) VALUES (?1, ?2, ?3, ?4)",
                )?;
                for (pk, at, rec) in records {
                    let json = serde_json::to_string(rec).unwrap_or_default();
                    stmt.execute(params![integration, pk, at.timestamp_micros(), json])?;
                }
                tx.execute(
                    "DELETE FROM login_records WHERE integration = ?1 AND at < ?2",
                    params![integration, cutoff.timestamp_micros()],
                )?;
            }
            tx.commit()
        })
    }

    /// Loads the stored login records of `integration` at or after `cutoff` (JSON, newest first).
    pub fn load_records(
        &self,
        integration: &str,
        cutoff: DateTime<Utc>,
    ) -> Result<Vec<String>, StorageError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT record FROM login_records WHERE integration = ?1 AND at >= ?2 ORDER BY at DESC",
            )?;
            let rows = stmt.query_map(params![integration, cutoff.timestamp_micros()], |r| r.get(0))?;
            rows.collect()
        })
    }

    /// The schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<i64, StorageError> {
        self.with(|c| c.pragma_query_value(None, "user_version", |r| r.get(0)))
    }

    /// Checkpoints the WAL so the database file is self-contained (clean shutdown).
    pub fn close(&self) -> Result<(), StorageError> {
        self.with(|c| c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);"))
    }

    /// Looks up when an alert was acknowledged.
    pub fn acked_at(&self, alert_id: &str) -> Result<Option<DateTime<Utc>>, StorageError> {
        self.with(|c| {
            c.query_row(
                "SELECT acked_at FROM acks WHERE alert_id = ?1",
                [alert_id],
                |r| r.get(0),
            )
            .optional()
            .map(|o: Option<i64>| o.map(ts))
        })
    }
}

fn migrate(conn: &Connection, from: usize) -> rusqlite::Result<()> {
    if from > MIGRATIONS.len() {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "database schema version {from} is newer than this Lookout ({}); upgrade Lookout",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from) {
        conn.execute_batch(&format!(
            "BEGIN; {sql}; PRAGMA user_version = {}; COMMIT;",
            i + 1
        ))?;
    }
    Ok(())
}

fn ts(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

/// Turns SQLite's terse codes into advice.
fn explain(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode::*;
    match e.sqlite_error_code() {
        Some(DatabaseBusy) | Some(DatabaseLocked) => {
            "the database is locked by another process (is another Lookout running on this data-dir?)".into()
        }
        Some(NotADatabase) | Some(DatabaseCorrupt) => {
            "the file is not a Lookout database or is corrupt; move it aside to start fresh".into()
        }
        Some(ReadOnly) | Some(CannotOpen) | Some(PermissionDenied) => {
            format!("{e} (check that the data-dir is writable by Lookout's user)")
        }
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests;
