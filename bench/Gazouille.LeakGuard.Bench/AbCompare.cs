using System.Reflection;
using System.Runtime.Loader;

namespace Gazouille.LeakGuard.Bench;

/// <summary>
/// A/B in one process: another build of Gazouille.LeakGuard.dll (e.g. the previous commit's, copied aside) is loaded
/// beside this one, and batches of checks alternate between the two, so that both see the same load at the same
/// moment (on shared cores, separate runs minutes apart differ by more than most changes).
/// </summary>
internal static class AbCompare
{
    public static void Run(string otherDir, int rounds)
    {
        var json = BenchData.PolicyJson(10_000);
        var current = Checker(typeof(LeakGuardEngine).Assembly, json);
        var context = new OtherBuild(Path.GetFullPath(otherDir));
        var other = Checker(context.LoadFromAssemblyPath(Path.Combine(Path.GetFullPath(otherDir), "Gazouille.LeakGuard.dll")), json);
        var term = LeakPolicy.Parse(json).Terms[17].Term;
        foreach (var (name, post) in new[] { ("leaky", BenchData.Post(term)), ("harmless", BenchData.Chatter(280)) })
        {
            Console.WriteLine($"{name}, other build: {TieredWarmup.Run(() => other(post))}");
            Console.WriteLine($"{name}, this build: {TieredWarmup.Run(() => current(post))}");
            var a = new List<double>();
            var b = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                // Alternate which goes first, so that neither always follows the other's cache footprint.
                if (r % 2 == 0)
                {
                    a.Add(Batch(other, post));
                    b.Add(Batch(current, post));
                }
                else
                {
                    b.Add(Batch(current, post));
                    a.Add(Batch(other, post));
                }
            }

            var ratios = a.Zip(b, (x, y) => y / x).Order().ToList();
            a.Sort();
            b.Sort();
            Console.WriteLine($"{name} 280-char post, {rounds} alternating batches of 1000 checks, thread CPU per check: "
                + $"other build median {a[a.Count / 2]:0.00} µs (best {a[0]:0.00}), this build median {b[b.Count / 2]:0.00} µs (best {b[0]:0.00}); "
                + $"this/other per pair: median {ratios[ratios.Count / 2]:0.000}, quartiles {ratios[ratios.Count / 4]:0.000}–{ratios[3 * ratios.Count / 4]:0.000}");
        }
    }

    private static double Batch(Func<string, object> check, string post)
    {
        const int calls = 1000;
        var cpu = ThreadCpu.Nanoseconds();
        for (var i = 0; i < calls; i++)
        {
            check(post);
        }

        return (ThreadCpu.Nanoseconds() - cpu) / 1e3 / calls;
    }

    /// <summary>Check(text, Partners) of an engine on the policy, built through reflection in the given assembly.</summary>
    private static Func<string, object> Checker(Assembly assembly, string policyJson)
    {
        var policyType = assembly.GetType("Gazouille.LeakGuard.LeakPolicy", throwOnError: true)!;
        var engineType = assembly.GetType("Gazouille.LeakGuard.LeakGuardEngine", throwOnError: true)!;
        var audienceType = assembly.GetType("Gazouille.LeakGuard.LeakAudience", throwOnError: true)!;
        var parse = policyType.GetMethods().Single(m => m.Name == "Parse" && m.GetParameters()[0].ParameterType == typeof(string));
        var policy = parse.Invoke(null, [policyJson, parse.GetParameters()[1].DefaultValue]);
        var engine = Activator.CreateInstance(engineType, policy)!;
        var check = engineType.GetMethod("Check")!;
        var partners = Enum.Parse(audienceType, "Partners");
        var del = check.CreateDelegate(typeof(Func<,,,>).MakeGenericType(typeof(string), audienceType, typeof(string), check.ReturnType), engine);

        // A typed delegate through one reflection call per check would dominate the timing: compile a lambda instead.
        var text = System.Linq.Expressions.Expression.Parameter(typeof(string));
        var body = System.Linq.Expressions.Expression.Convert(
            System.Linq.Expressions.Expression.Invoke(System.Linq.Expressions.Expression.Constant(del), text,
                System.Linq.Expressions.Expression.Constant(partners, audienceType), System.Linq.Expressions.Expression.Constant(null, typeof(string))),
            typeof(object));
        return System.Linq.Expressions.Expression.Lambda<Func<string, object>>(body, text).Compile();
    }

    /// <summary>Loads only Gazouille.LeakGuard from the other folder; every dependency is shared with this build.</summary>
    private sealed class OtherBuild(string dir) : AssemblyLoadContext("other-build")
    {
        protected override Assembly? Load(AssemblyName assemblyName) =>
            assemblyName.Name == "Gazouille.LeakGuard" ? LoadFromAssemblyPath(Path.Combine(dir, "Gazouille.LeakGuard.dll")) : null;
    }
}
