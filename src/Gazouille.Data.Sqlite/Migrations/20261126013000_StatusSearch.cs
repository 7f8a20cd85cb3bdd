using Gazouille.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gazouille.Data.Sqlite.Migrations
{
    /// <summary>
    /// Full-text search over posts: an FTS5 index over the Statuses table (external content, so the text is stored once),
    /// kept in step by triggers on every insert, edit and delete, whoever writes (publisher, generator, cascades).
    /// Boosts carry no text of their own and are left out. The tokenizer folds case and accents ("equipe" finds "équipe")
    /// and stems English with Porter; French gets accent folding and prefix queries, no stemming (see docs/api.md).
    /// The model does not change, so there is no snapshot change and no Designer file.
    /// </summary>
    [DbContext(typeof(GazouilleDb))]
    [Migration("20261126013000_StatusSearch")]
    public partial class StatusSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "StatusSearch" USING fts5(
                    "Text", "SpoilerText", content='Statuses', content_rowid='Id',
                    tokenize='porter unicode61 remove_diacritics 2', prefix='2 3');
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Statuses_SearchInsert" AFTER INSERT ON "Statuses" WHEN new."ReblogOfId" IS NULL BEGIN
                    INSERT INTO "StatusSearch"(rowid, "Text", "SpoilerText") VALUES (new."Id", new."Text", new."SpoilerText");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Statuses_SearchDelete" AFTER DELETE ON "Statuses" WHEN old."ReblogOfId" IS NULL BEGIN
                    INSERT INTO "StatusSearch"("StatusSearch", rowid, "Text", "SpoilerText") VALUES ('delete', old."Id", old."Text", old."SpoilerText");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Statuses_SearchUpdate" AFTER UPDATE OF "Text", "SpoilerText" ON "Statuses" WHEN old."ReblogOfId" IS NULL BEGIN
                    INSERT INTO "StatusSearch"("StatusSearch", rowid, "Text", "SpoilerText") VALUES ('delete', old."Id", old."Text", old."SpoilerText");
                    INSERT INTO "StatusSearch"(rowid, "Text", "SpoilerText") VALUES (new."Id", new."Text", new."SpoilerText");
                END;
                """);
            migrationBuilder.Sql("""
                INSERT INTO "StatusSearch"(rowid, "Text", "SpoilerText") SELECT "Id", "Text", "SpoilerText" FROM "Statuses" WHERE "ReblogOfId" IS NULL;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "Statuses_SearchUpdate";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "Statuses_SearchDelete";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "Statuses_SearchInsert";""");
            migrationBuilder.Sql("""DROP TABLE IF EXISTS "StatusSearch";""");
        }
    }
}
