using System.Diagnostics;

namespace Gazouille.Tests;

/// <summary>Runs the real <c>gazouille</c> executable on test data (its folder, and its database when not SQLite).</summary>
public static class GazouilleCli
{
    public static async Task<(int Exit, string Out, string Err)> RunAsync(TestData data, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "gazouille.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var a in data.CliArguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
