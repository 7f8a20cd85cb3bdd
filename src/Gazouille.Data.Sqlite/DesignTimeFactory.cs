using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Gazouille.Data.Sqlite;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model for SQLite; never used at run time.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<GazouilleDb>
{
    public GazouilleDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<GazouilleDb>()
            .UseSqlite("Data Source=design.db", o => o.MigrationsAssembly(typeof(DesignTimeFactory).Assembly.GetName().Name))
            .Options);
}
