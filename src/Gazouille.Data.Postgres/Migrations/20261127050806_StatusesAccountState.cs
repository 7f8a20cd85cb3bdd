using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gazouille.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class StatusesAccountState : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Statuses_AccountId_State",
                table: "Statuses",
                columns: new[] { "AccountId", "State" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Statuses_AccountId_State",
                table: "Statuses");
        }
    }
}
