using Gazouille.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gazouille.Data.Postgres.Migrations
{
    /// <summary>
    /// Full-text search over posts: a stored tsvector column computed by PostgreSQL itself (so every writer keeps it
    /// right) with French and English stemming, accents folded by the unaccent extension when the server has it, and a
    /// GIN index. Text search configurations gazouille_fr and gazouille_en are copies of french and english with unaccent
    /// before the stemmer. The model does not change, so there is no snapshot change and no Designer file.
    /// </summary>
    [DbContext(typeof(GazouilleDb))]
    [Migration("20261126013000_StatusSearch")]
    public partial class StatusSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // unaccent is a trusted contrib extension (a database owner may create it); without contrib, search still
            // works, but "equipe" no longer finds "équipe".
            migrationBuilder.Sql("""
                DO $$ BEGIN
                    CREATE EXTENSION IF NOT EXISTS unaccent;
                EXCEPTION WHEN OTHERS THEN
                    RAISE NOTICE 'unaccent is not available (%): search will not fold accents.', SQLERRM;
                END $$;
                """);
            migrationBuilder.Sql("""
                DO $$ BEGIN
                    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'gazouille_fr') THEN
                        CREATE TEXT SEARCH CONFIGURATION gazouille_fr (COPY = pg_catalog.french);
                    END IF;
                    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'gazouille_en') THEN
                        CREATE TEXT SEARCH CONFIGURATION gazouille_en (COPY = pg_catalog.english);
                    END IF;
                    IF EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = 'unaccent') THEN
                        ALTER TEXT SEARCH CONFIGURATION gazouille_fr ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
                        ALTER TEXT SEARCH CONFIGURATION gazouille_en ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
                    END IF;
                END $$;
                """);
            migrationBuilder.Sql("""
                ALTER TABLE "Statuses" ADD COLUMN "SearchVector" tsvector GENERATED ALWAYS AS (
                    to_tsvector('gazouille_fr'::regconfig, "SpoilerText" || ' ' || "Text")
                    || to_tsvector('gazouille_en'::regconfig, "SpoilerText" || ' ' || "Text")) STORED;
                """);
            migrationBuilder.Sql("""CREATE INDEX "IX_Statuses_SearchVector" ON "Statuses" USING GIN ("SearchVector");""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX IF EXISTS "IX_Statuses_SearchVector";""");
            migrationBuilder.Sql("""ALTER TABLE "Statuses" DROP COLUMN IF EXISTS "SearchVector";""");
            migrationBuilder.Sql("DROP TEXT SEARCH CONFIGURATION IF EXISTS gazouille_fr;");
            migrationBuilder.Sql("DROP TEXT SEARCH CONFIGURATION IF EXISTS gazouille_en;");
        }
    }
}
