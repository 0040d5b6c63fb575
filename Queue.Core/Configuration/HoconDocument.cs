namespace Queue.Core.Configuration;

/// <summary>
/// HOCON text and the name it is reported under. For files the name is the full path, which is also
/// what relative includes are resolved against and what include cycles are detected by.
/// </summary>
public sealed record HoconDocument(string Name, string Text);
