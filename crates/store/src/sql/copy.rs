//! Whole-table reads and writes for `undersigned copy`.

use async_trait::async_trait;
use futures_util::{StreamExt, stream::BoxStream};
use sqlx::{AssertSqlSafe, Row as _};

use super::{Ctx, DIALECT, DbRow, SqlStore, dialect};
use crate::{
    StoreError,
    copy::{Kind, Row, Table, TableIo, Value, insert_sql},
};

fn decode(row: &DbRow, table: &Table) -> Result<Row, StoreError> {
    table
        .columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            Ok(match column.kind {
                Kind::Int => row
                    .try_get::<Option<i64>, _>(i)
                    .ctx("reading a row")?
                    .map_or(Value::Null, Value::Int),
                Kind::Text => row
                    .try_get::<Option<String>, _>(i)
                    .ctx("reading a row")?
                    .map_or(Value::Null, Value::Text),
                Kind::Blob => row
                    .try_get::<Option<Vec<u8>>, _>(i)
                    .ctx("reading a row")?
                    .map_or(Value::Null, Value::Blob),
            })
        })
        .collect()
}

#[async_trait]
impl TableIo for SqlStore {
    fn describe(&self) -> String {
        DIALECT.name.to_owned()
    }

    async fn count(&self, table: &'static Table) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {}",
            table.name
        )))
        .fetch_one(&self.pool)
        .await
        .ctx("counting rows")?;
        Ok(n.max(0) as u64)
    }

    fn rows(&self, table: &'static Table) -> BoxStream<'_, Result<Row, StoreError>> {
        // The same order on both backends: integer keys numerically, hash keys byte by
        // byte.
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {}",
            table.column_list(),
            table.name,
            table.order_by()
        );
        sqlx::query(AssertSqlSafe(sql))
            .fetch(&self.pool)
            .map(move |row| row.ctx("reading rows").and_then(|r| decode(&r, table)))
            .boxed()
    }

    async fn insert(&self, table: &'static Table, rows: &[Row]) -> Result<(), StoreError> {
        let sql = insert_sql(table, rows.len());
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for row in rows {
            for (value, column) in row.iter().zip(table.columns) {
                query = match (value, column.kind) {
                    (Value::Int(i), _) => query.bind(*i),
                    (Value::Text(t), _) => query.bind(t.as_str()),
                    (Value::Blob(b), _) => query.bind(b.as_slice()),
                    (Value::Null, Kind::Int) => query.bind(None::<i64>),
                    (Value::Null, Kind::Text) => query.bind(None::<String>),
                    (Value::Null, Kind::Blob) => query.bind(None::<Vec<u8>>),
                };
            }
        }
        let mut tx = self.begin_write().await?;
        query.execute(&mut *tx).await.ctx("writing rows")?;
        tx.commit().await.ctx("writing rows")
    }

    async fn finish(&self) -> Result<(), StoreError> {
        dialect::after_copy(&self.pool)
            .await
            .ctx("finishing the copy")
    }
}
