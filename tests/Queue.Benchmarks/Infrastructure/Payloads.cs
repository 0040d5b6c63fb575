using System.Text;

namespace Queue.Benchmarks.Infrastructure;

/// <summary>The benchmark's messages: 100 bytes of ASCII (so 100 UTF-8 bytes), distinct per index.</summary>
public static class Payloads
{
    public const int MessageBytes = 100;

    public static string Message(long index)
    {
        var head = $"bench message {index:D12} ";
        var text = new StringBuilder(head, MessageBytes);
        while (text.Length < MessageBytes)
        {
            text.Append((char)('a' + (text.Length % 26)));
        }
        return text.ToString();
    }

    /// <summary>A 100-byte message that starts with the time it was meant to be sent (Stopwatch ticks), for latency.</summary>
    public static string Timestamped(long ticks)
    {
        var head = $"t={ticks:D19};";
        return head + Message(0)[head.Length..];
    }
}
