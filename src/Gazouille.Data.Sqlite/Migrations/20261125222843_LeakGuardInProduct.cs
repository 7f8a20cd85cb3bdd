using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gazouille.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class LeakGuardInProduct : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AuditEntries",
                columns: table => new
                {
                    Seq = table.Column<long>(type: "INTEGER", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    Actor = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Details = table.Column<string>(type: "TEXT", nullable: false),
                    PrevHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditEntries", x => x.Seq);
                });

            migrationBuilder.CreateTable(
                name: "LeakPolicyDocuments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Format = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Text = table.Column<string>(type: "TEXT", nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ChangedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    ChangedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LeakPolicyDocuments", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "LeakReviews",
                columns: table => new
                {
                    StatusId = table.Column<long>(type: "INTEGER", nullable: false),
                    AccountId = table.Column<long>(type: "INTEGER", nullable: false),
                    Decision = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Audience = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Score = table.Column<double>(type: "REAL", nullable: false),
                    FindingsJson = table.Column<string>(type: "TEXT", nullable: false),
                    Types = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Override = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    CheckedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    Pending = table.Column<bool>(type: "INTEGER", nullable: false),
                    ReviewedById = table.Column<long>(type: "INTEGER", nullable: true),
                    ReviewedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    ReviewReason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LeakReviews", x => x.StatusId);
                    table.ForeignKey(
                        name: "FK_LeakReviews_Statuses_StatusId",
                        column: x => x.StatusId,
                        principalTable: "Statuses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEntries_At",
                table: "AuditEntries",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_LeakPolicyDocuments_Version",
                table: "LeakPolicyDocuments",
                column: "Version",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_LeakReviews_AccountId_StatusId",
                table: "LeakReviews",
                columns: new[] { "AccountId", "StatusId" });

            migrationBuilder.CreateIndex(
                name: "IX_LeakReviews_Pending_StatusId",
                table: "LeakReviews",
                columns: new[] { "Pending", "StatusId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AuditEntries");

            migrationBuilder.DropTable(
                name: "LeakPolicyDocuments");

            migrationBuilder.DropTable(
                name: "LeakReviews");
        }
    }
}
