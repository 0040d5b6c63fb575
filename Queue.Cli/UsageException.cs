namespace Queue.Cli;

/// <summary>A command line that parses but makes no sense (e.g. no messages to produce): exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
