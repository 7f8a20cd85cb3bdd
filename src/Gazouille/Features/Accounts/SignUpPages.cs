namespace Gazouille.Features.Accounts;

/// <summary>
/// The sign-up page is now the Razor page <c>SignUp.cshtml</c> beside this file, so nothing is mapped here any more;
/// this stays only until <c>GazouilleApp</c> stops calling it.
/// </summary>
public static class SignUpPages
{
    public static IEndpointRouteBuilder MapSignUpPages(this IEndpointRouteBuilder app) => app;
}
