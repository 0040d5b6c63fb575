using System.Text;

namespace Queue.Core.Log;

/// <summary>
/// Maps a message key to a partition. Uses Kafka's default rule (murmur2 of the UTF-8 key, sign
/// bit cleared, modulo the partition count), so a key lands on the same partition number here as
/// it would in Kafka with the same partition count, and stays there across restarts.
/// </summary>
public static class KeyPartitioner
{
    public static int PartitionFor(string key, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        var hash = Murmur2(Encoding.UTF8.GetBytes(key));
        return (hash & 0x7fffffff) % partitionCount;
    }

    // Murmur2, 32-bit, with Kafka's seed; unchecked arithmetic is the algorithm's own.
    public static int Murmur2(ReadOnlySpan<byte> data)
    {
        const uint seed = 0x9747b28c;
        const uint m = 0x5bd1e995;
        const int r = 24;
        var length = data.Length;
        var h = seed ^ (uint)length;
        var blocks = length / 4;
        for (var i = 0; i < blocks; i++)
        {
            var k = (uint)(data[i * 4] | (data[i * 4 + 1] << 8) | (data[i * 4 + 2] << 16) | (data[i * 4 + 3] << 24));
            k *= m;
            k ^= k >> r;
            k *= m;
            h *= m;
            h ^= k;
        }
        var tail = blocks * 4;
        switch (length % 4)
        {
            case 3:
                h ^= (uint)data[tail + 2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)data[tail + 1] << 8;
                goto case 1;
            case 1:
                h ^= data[tail];
                h *= m;
                break;
        }
        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return (int)h;
    }
}
