using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gazouille.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class FalsePositiveReports : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "FalsePositiveReports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false),
                    AccountId = table.Column<long>(type: "INTEGER", nullable: false),
                    AuditSeq = table.Column<long>(type: "INTEGER", nullable: true),
                    Action = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Decision = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Audience = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    FindingsJson = table.Column<string>(type: "TEXT", nullable: false),
                    Excerpt = table.Column<string>(type: "TEXT", maxLength: 600, nullable: true),
                    Comment = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    WarnedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    ResolvedById = table.Column<long>(type: "INTEGER", nullable: true),
                    ResolvedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    ResolutionNote = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    PolicyChange = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    PolicyVersion = table.Column<int>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FalsePositiveReports", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FalsePositiveReports_AspNetUsers_AccountId",
                        column: x => x.AccountId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_FalsePositiveReports_AspNetUsers_ResolvedById",
                        column: x => x.ResolvedById,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateIndex(
                name: "IX_FalsePositiveReports_AccountId_AuditSeq",
                table: "FalsePositiveReports",
                columns: new[] { "AccountId", "AuditSeq" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FalsePositiveReports_ResolvedById",
                table: "FalsePositiveReports",
                column: "ResolvedById");

            migrationBuilder.CreateIndex(
                name: "IX_FalsePositiveReports_Status_Id",
                table: "FalsePositiveReports",
                columns: new[] { "Status", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "FalsePositiveReports");
        }
    }
}
