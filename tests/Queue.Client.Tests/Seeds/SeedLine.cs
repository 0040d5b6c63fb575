namespace Queue.Client.Tests.Seeds;

/// <summary>One line of a seed producer log: the whole line is the message, the last field its topic.</summary>
internal sealed record SeedLine(string Text, string Topic);
