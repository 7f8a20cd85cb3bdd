using Gazouille.Data.Entities;
using Gazouille.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;

namespace Gazouille.Features.OAuth;

/// <summary>The plain sign-in and sign-out pages (used by the OAuth flow; the web app reuses them).</summary>
public static class SignInPages
{
    public static IEndpointRouteBuilder MapSignInPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/auth/sign_in", ShowSignIn).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/auth/sign_in", SignIn).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/auth/sign_out", SignOut).ExcludeFromDescription();
        return app;
    }

    private static IResult ShowSignIn(HttpContext http, IAntiforgery antiforgery, string? returnUrl) =>
        Page(http, antiforgery, returnUrl, error: null, login: null);

    private static IResult Page(HttpContext http, IAntiforgery antiforgery, string? returnUrl, string? error, string? login)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var body = $"""
            <h1>Se connecter · Sign in</h1>
            {(error is null ? "" : $"<p class=\"error\" role=\"alert\">{HtmlPage.Encode(error)}</p>")}
            <form method="post" action="/auth/sign_in">
              <input type="hidden" name="{HtmlPage.Encode(tokens.FormFieldName)}" value="{HtmlPage.Encode(tokens.RequestToken)}">
              <input type="hidden" name="returnUrl" value="{HtmlPage.Encode(returnUrl)}">
              <label for="login">Identifiant ou e-mail · Username or e-mail</label>
              <input id="login" name="login" type="text" autocomplete="username" required value="{HtmlPage.Encode(login)}">
              <label for="password">Mot de passe · Password</label>
              <input id="password" name="password" type="password" autocomplete="current-password" required>
              <button class="primary" type="submit">Se connecter · Sign in</button>
            </form>
            """;
        return Results.Content(HtmlPage.Render("Gazouille — sign in", body, "fr"), "text/html; charset=utf-8",
            statusCode: error is null ? 200 : 400);
    }

    private static async Task<IResult> SignIn(HttpContext http, IAntiforgery antiforgery, SignInManager<Account> signIn, UserManager<Account> users)
    {
        if (!http.Request.HasFormContentType) return Results.BadRequest();
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        string? returnUrl = form["returnUrl"];
        if (!await antiforgery.IsRequestValidAsync(http))
            return Page(http, antiforgery, returnUrl, "Le formulaire a expiré, réessayez. · The form expired, please try again.", null);

        var login = form["login"].ToString().Trim();
        var password = form["password"].ToString();
        var account = login.Contains('@', StringComparison.Ordinal) ? await users.FindByEmailAsync(login) : await users.FindByNameAsync(login);
        if (account is null || account.Suspended)
            return Page(http, antiforgery, returnUrl, "Identifiant ou mot de passe incorrect. · Wrong username or password.", login);

        var result = await signIn.PasswordSignInAsync(account, password, isPersistent: true, lockoutOnFailure: true);
        if (result.IsLockedOut)
            return Page(http, antiforgery, returnUrl, "Trop d'essais : compte bloqué 15 minutes. · Too many attempts: account locked for 15 minutes.", login);
        if (!result.Succeeded)
            return Page(http, antiforgery, returnUrl, "Identifiant ou mot de passe incorrect. · Wrong username or password.", login);

        return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "/");
    }

    private static async Task<IResult> SignOut(SignInManager<Account> signIn)
    {
        await signIn.SignOutAsync();
        return Results.LocalRedirect("/auth/sign_in");
    }

    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
