using Gazouille.Data.Entities;
using Gazouille.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;

namespace Gazouille.Features.Accounts;

/// <summary>The plain sign-up page: by invitation link, or with an e-mail address on an allowed domain.</summary>
public static class SignUpPages
{
    public static IEndpointRouteBuilder MapSignUpPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/auth/sign_up", Show).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/auth/sign_up", Submit).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> Show(HttpContext http, IAntiforgery antiforgery, SignUpPolicy policy, string? invite)
    {
        if (policy.Mode == "closed") return Page(http, antiforgery, null, "Les inscriptions sont fermées. · Sign-up is closed.", null, 403);
        if (invite is not null && await policy.FindUsableAsync(invite, http.RequestAborted) is null)
            return Page(http, antiforgery, null, SignUpPolicy.InvalidInvitation, null, 410);
        return Page(http, antiforgery, invite, null, null, 200);
    }

    private static async Task<IResult> Submit(HttpContext http, IAntiforgery antiforgery, SignUpPolicy policy, SignInManager<Account> signIn)
    {
        if (!http.Request.HasFormContentType) return Results.BadRequest();
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        string? invite = form["invite"];
        var values = new Dictionary<string, string>
        {
            ["username"] = form["username"].ToString(), ["email"] = form["email"].ToString(), ["display_name"] = form["display_name"].ToString(),
        };
        if (!await antiforgery.IsRequestValidAsync(http))
            return Page(http, antiforgery, invite, "Le formulaire a expiré, réessayez. · The form expired, please try again.", values, 400);
        var (account, error) = await policy.SignUpAsync(new SignUpRequest(values["username"], values["email"],
            string.IsNullOrWhiteSpace(values["display_name"]) ? null : values["display_name"], form["password"].ToString(),
            string.IsNullOrWhiteSpace(invite) ? null : invite), http.RequestAborted);
        if (account is null) return Page(http, antiforgery, invite, error, values, 422);
        await signIn.SignInAsync(account, isPersistent: true);
        return Results.LocalRedirect("/");
    }

    private static IResult Page(HttpContext http, IAntiforgery antiforgery, string? invite, string? error, Dictionary<string, string>? values, int status)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        string V(string key) => HtmlPage.Encode(values?.GetValueOrDefault(key));
        var body = $"""
            <h1>Créer un compte · Create an account</h1>
            {(error is null ? "" : $"<p class=\"error\" role=\"alert\">{HtmlPage.Encode(error)}</p>")}
            <form method="post" action="/auth/sign_up">
              <input type="hidden" name="{HtmlPage.Encode(tokens.FormFieldName)}" value="{HtmlPage.Encode(tokens.RequestToken)}">
              <input type="hidden" name="invite" value="{HtmlPage.Encode(invite)}">
              <label for="username">Identifiant · Username</label>
              <input id="username" name="username" type="text" autocomplete="username" required maxlength="30" pattern="[A-Za-z0-9_]+" value="{V("username")}" aria-describedby="username-help">
              <p id="username-help">Lettres, chiffres et _ · Letters, digits and _</p>
              <label for="display_name">Nom affiché · Display name</label>
              <input id="display_name" name="display_name" type="text" maxlength="60" value="{V("display_name")}">
              <label for="email">E-mail</label>
              <input id="email" name="email" type="email" autocomplete="email" required value="{V("email")}">
              <label for="password">Mot de passe (10 caractères ou plus) · Password (10 characters or more)</label>
              <input id="password" name="password" type="password" autocomplete="new-password" required minlength="10">
              <button class="primary" type="submit">Créer le compte · Create the account</button>
            </form>
            <p><a href="/auth/sign_in">Déjà un compte ? Se connecter · Already have an account? Sign in</a></p>
            """;
        return Results.Content(HtmlPage.Render("Gazouille — sign up", body, "fr"), "text/html; charset=utf-8", statusCode: status);
    }
}
