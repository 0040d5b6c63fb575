namespace Queue.Core.Configuration;

/// <summary>Finds the documents named by <c>include</c> statements.</summary>
public interface IHoconIncludeResolver
{
    /// <summary>
    /// The document <paramref name="name"/> refers to when written inside the document called
    /// <paramref name="includerName"/>; null when there is no such document.
    /// </summary>
    HoconDocument? Resolve(string includerName, string name);
}
