using System.Globalization;

namespace Queue.Benchmarks.Infrastructure;

/// <summary>Resident set size of another process, from /proc (Linux only; null elsewhere).</summary>
public static class ProcessMemory
{
    public static long? ReadRssBytes(int pid)
    {
        var path = $"/proc/{pid}/status";
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                // "VmRSS:     123456 kB"
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }
}
