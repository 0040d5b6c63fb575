namespace Queue.Testing;

/// <summary>
/// Waits for a condition by polling until a deadline, never by a fixed sleep: fast when the
/// system is fast, patient when CI is slow, and the failure says what was awaited.
/// </summary>
public static class Eventually
{
    public static async Task True(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        var delay = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
                last = null;
            }
            catch (Exception ex)
            {
                last = ex;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting until {because}" + (last is null ? "" : $"; last error: {last.Message}"), last);
            }
            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 200));
        }
    }

    public static Task True(Func<bool> condition, TimeSpan timeout, string because) =>
        True(() => Task.FromResult(condition()), timeout, because);
}
