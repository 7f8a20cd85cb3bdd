using Gazouille.Api;
using Gazouille.Features.OAuth;
using Gazouille.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Features.Trust;

/// <summary>Administrators' trust endpoints: official and verified marks, signing-key rotation.</summary>
public static class TrustAdminApi
{
    public static RouteGroupBuilder MapTrustAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/gazouille/admin").WithTags("Trust");
        group.MapPost("/verify_account", VerifyAccount).RequireScope("write:accounts");
        group.MapPost("/partners/{handle}/verify", VerifyPartner).RequireScope("write:accounts");
        group.MapPost("/keys/rotate", RotateKey).RequireScope("write:accounts");
        return group;
    }

    /// <summary><c>username</c>: an employee, a team handle, or a guest (verifies the guest's org); <c>remove=true</c> takes the mark away.</summary>
    private static async Task<Ok<TrustMark>> VerifyAccount(HttpContext http, ApiParams p, TrustMarks marks, Data.GazouilleDb db, CancellationToken ct)
    {
        var actor = await AdminAsync(http, db, ct);
        var mark = await marks.MarkAsync(actor, p.Get("username") ?? "", !(p.GetBool("remove") ?? false), ct);
        return TypedResults.Ok(mark);
    }

    private static async Task<Ok<TrustMark>> VerifyPartner(string handle, HttpContext http, ApiParams p, TrustMarks marks, Data.GazouilleDb db, CancellationToken ct)
    {
        var actor = await AdminAsync(http, db, ct);
        return TypedResults.Ok(await marks.MarkPartnerAsync(actor, handle, !(p.GetBool("remove") ?? false), ct));
    }

    private static async Task<Ok<JsonWebKey>> RotateKey(HttpContext http, InstanceKeys keys, Data.GazouilleDb db, Audit.AuditLog audit, CancellationToken ct)
    {
        var actor = await AdminAsync(http, db, ct);
        var key = await keys.RotateAsync(ct);
        await audit.AppendAsync(actor, "trust.rotate_key", $"key:{key.Id}", new { }, ct);
        return TypedResults.Ok(new JsonWebKey("EC", "P-256", key.X, key.Y, key.Id, "sig", InstanceKeys.Algorithm));
    }

    private static async Task<string> AdminAsync(HttpContext http, Data.GazouilleDb db, CancellationToken ct)
    {
        var viewer = http.Viewer();
        if (!viewer.IsAdmin) throw ApiException.Forbidden("Only administrators can do this");
        return "@" + await db.Users.Where(a => a.Id == viewer.AccountId).Select(a => a.UserName).FirstAsync(ct);
    }
}
