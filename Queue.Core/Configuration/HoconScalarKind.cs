namespace Queue.Core.Configuration;

public enum HoconScalarKind
{
    String,
    Number,
    Boolean,
    Null,
}
