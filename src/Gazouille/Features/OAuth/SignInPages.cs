using Gazouille.Data.Entities;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;

namespace Gazouille.Features.OAuth;

/// <summary>Sign-out (the sign-in page is the Razor page beside this file, shared by the web app and the OAuth flow).</summary>
public static class SignInPages
{
    public static IEndpointRouteBuilder MapSignInPages(this IEndpointRouteBuilder app)
    {
        app.MapPost("/auth/sign_out", SignOut).ExcludeFromDescription();
        return app;
    }

    /// <summary>Ends the browser session (deleted from the store); a session made by single sign-on signs out at the provider too.</summary>
    private static async Task<IResult> SignOut(HttpContext http, SignInManager<Account> signIn)
    {
        var session = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        await signIn.SignOutAsync();
        if (session.Succeeded && await Sso.SsoSignOut.StartAsync(http, session, http.RequestAborted)) return Results.Empty;
        return Results.LocalRedirect("/auth/sign_in");
    }
}
