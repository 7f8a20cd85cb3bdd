namespace Gazouille.LeakGuard.Evaluation;

/// <summary>
/// Finds the checkout and the evaluation data beside it. CI clones the repository and puts shared/ next to it
/// (../shared relative to the root), so data is located from the root, never from the working directory.
/// </summary>
public static class RepoPaths
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gazouille.slnx"))
                || (File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props")) && Directory.Exists(Path.Combine(dir.FullName, "src", "Gazouille.LeakGuard"))))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException(
            $"Cannot find the repository root (a folder with Gazouille.slnx) above {AppContext.BaseDirectory}; run from a checkout.");
    }

    public static string CorpusDir() => Path.Combine(Root(), "tests", "Gazouille.LeakGuard.Tests", "Corpus");

    /// <summary>../shared/data beside the checkout; a clear failure when it is missing, never a silent skip.</summary>
    public static string SharedData(string dataset)
    {
        var path = Path.GetFullPath(Path.Combine(Root(), "..", "shared", "data", dataset));
        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException(
                $"The evaluation data set '{dataset}' is missing: expected {path} (shared/ must sit beside the checkout, as in CI).");
        }

        return path;
    }
}
