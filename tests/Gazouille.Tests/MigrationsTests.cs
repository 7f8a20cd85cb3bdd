using Gazouille.Data;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Tests;

/// <summary>
/// Each provider's migrations describe the current model: a change to the model without a migration for SQLite AND
/// PostgreSQL fails here (as <c>dotnet ef migrations has-pending-model-changes</c> would), whichever database the run uses.
/// </summary>
public sealed class MigrationsTests
{
    [Fact]
    public void Sqlite_migrations_match_the_model()
    {
        using var db = new Gazouille.Data.Sqlite.DesignTimeFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), "The model changed without a migration in src/Gazouille.Data.Sqlite.");
        Assert.NotEmpty(db.Database.GetMigrations());
    }

    [Fact]
    public void Postgres_migrations_match_the_model_and_have_the_same_names_as_sqlite()
    {
        using var postgres = new Gazouille.Data.Postgres.DesignTimeFactory().CreateDbContext([]);
        Assert.False(postgres.Database.HasPendingModelChanges(), "The model changed without a migration in src/Gazouille.Data.Postgres.");
        using var sqlite = new Gazouille.Data.Sqlite.DesignTimeFactory().CreateDbContext([]);
        // Migration ids start with a timestamp that differs per provider; the names after it must pair up.
        static string[] Names(GazouilleDb db) => [.. db.Database.GetMigrations().Select(m => m[(m.IndexOf('_', StringComparison.Ordinal) + 1)..])];
        Assert.Equal(Names(sqlite), Names(postgres));
    }
}
