namespace Queue.Cli;

/// <summary>What the tool's exit status means, so scripts can tell "fix the command" from "retry later".</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The server answered and refused (unknown topic, topic exists, 503...): its message is printed.</summary>
    public const int Refused = 1;

    /// <summary>The command line is wrong.</summary>
    public const int Usage = 2;

    /// <summary>No server answered at the URL (connection refused, timeout).</summary>
    public const int Unreachable = 3;
}
