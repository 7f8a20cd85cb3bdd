using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Gazouille.Data.Postgres;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model for PostgreSQL; no server is contacted.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<GazouilleDb>
{
    public GazouilleDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<GazouilleDb>()
            .UseNpgsql("Host=127.0.0.1;Database=gazouille_design", o => o.MigrationsAssembly(typeof(DesignTimeFactory).Assembly.GetName().Name))
            .Options);
}
