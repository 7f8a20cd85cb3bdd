using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gazouille.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class NotificationTypeLength : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
