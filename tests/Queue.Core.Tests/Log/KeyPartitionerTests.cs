using System.Text;
using Queue.Core.Log;

namespace Queue.Core.Tests.Log;

public sealed class KeyPartitionerTests
{
    // Apache Kafka's own vectors (clients/.../common/utils/UtilsTest.testMurmur2): matching them is
    // what makes a key land on the same partition here as in a Kafka producer.
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Murmur2_matches_kafkas_test_vectors(string key, int expected)
    {
        Assert.Equal(expected, KeyPartitioner.Murmur2(Encoding.UTF8.GetBytes(key)));
    }

    // Derived from the algorithm (an independent implementation of Kafka's Utils.murmur2): the empty
    // key has no block and no tail; a non-ASCII key is hashed over its UTF-8 bytes (7 bytes here).
    [Theory]
    [InlineData("", 275646681)]
    [InlineData("é-clé", -1341247677)]
    public void Murmur2_covers_the_empty_key_and_utf8_bytes(string key, int expected)
    {
        Assert.Equal(expected, KeyPartitioner.Murmur2(Encoding.UTF8.GetBytes(key)));
    }

    // Kafka: Utils.toPositive(murmur2(key)) % n, i.e. the sign bit masked, not Math.Abs.
    [Theory]
    [InlineData("21", 7, 3)]
    [InlineData("21", 4, 0)]
    [InlineData("foobar", 4, 2)]
    [InlineData("foobar", 10, 6)]
    [InlineData("a-little-bit-longer-string", 4, 3)]
    [InlineData("a-little-bit-longer-string", 10, 9)]
    [InlineData("abc", 7, 4)]
    [InlineData("é-clé", 4, 3)]
    [InlineData("user-42", 3, 1)]
    public void PartitionFor_masks_the_sign_bit_and_takes_the_remainder(string key, int partitions, int expected)
    {
        Assert.Equal(expected, KeyPartitioner.PartitionFor(key, partitions));
    }

    [Fact]
    public void PartitionFor_with_one_partition_is_always_zero()
    {
        foreach (var key in new[] { "", "21", "foobar", "abc", "é-clé" })
        {
            Assert.Equal(0, KeyPartitioner.PartitionFor(key, 1));
        }
    }

    [Fact]
    public void PartitionFor_stays_in_range_and_spreads_keys_over_every_partition()
    {
        const int partitions = 8;
        var counts = new int[partitions];
        for (var i = 0; i < 4000; i++)
        {
            var p = KeyPartitioner.PartitionFor($"key-{i}", partitions);
            Assert.InRange(p, 0, partitions - 1);
            counts[p]++;
        }
        // A fair hash puts about 500 keys on each; this only rules out a broken spread.
        Assert.All(counts, c => Assert.InRange(c, 350, 650));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void PartitionFor_refuses_a_partition_count_below_one(int partitions)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyPartitioner.PartitionFor("k", partitions));
    }
}
