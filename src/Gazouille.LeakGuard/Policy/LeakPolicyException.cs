namespace Gazouille.LeakGuard;

/// <summary>A policy file that cannot be used; every error names the field and what is wrong with it.</summary>
public sealed class LeakPolicyException : Exception
{
    public LeakPolicyException(IReadOnlyList<string> errors)
        : base(Describe(errors)) => Errors = errors;

    public LeakPolicyException(string error)
        : this([error])
    {
    }

    public LeakPolicyException()
        : this("the policy is invalid")
    {
    }

    public LeakPolicyException(string message, Exception inner)
        : base(Describe([message]), inner) => Errors = [message];

    public IReadOnlyList<string> Errors { get; }

    private static string Describe(IReadOnlyList<string> errors) => errors.Count == 1
        ? $"Invalid Leak Guard policy: {errors[0]}"
        : $"Invalid Leak Guard policy ({errors.Count} errors): {string.Join("; ", errors.Take(20))}"
          + (errors.Count > 20 ? $"; and {errors.Count - 20} more" : string.Empty);
}
