using System.Threading.Tasks;
using WebSocketHandoff.Analyzers.Tests.Rules;
using Verify = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.RawTransportUseAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests
{
    /// <summary>
    /// The flow rules collect members as code blocks and build a member's operation tree only when its text asks for it:
    /// every kind of code block still reaches the analysis — initializers, arrow bodies, accessors, constructors.
    /// </summary>
    public class CodeBlockShapesTests
    {
        [Fact]
        public Task A_creation_in_a_constructor_and_a_raw_use_in_an_arrow_bodied_method() => Verify.VerifyAsync(WSH001Tests.Usings + @"
class Conn
{
    private readonly Stream _s;
    private readonly WebSocket _ws;
    public Conn(Stream s) { _s = s; _ws = WebSocket.CreateFromStream(_s, true, null, TimeSpan.FromSeconds(5)); }
    Task Raw(byte[] b) => {|WSH001:_s.WriteAsync(b, 0, b.Length)|};
}");

        [Fact]
        public Task A_creation_and_raw_use_in_a_lambda_of_a_field_initializer() => Verify.VerifyAsync(WSH001Tests.Usings + @"
class Holder
{
    private readonly Func<Stream, byte[], Task> _run = async (s, b) =>
    {
        var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.FromSeconds(5));
        await {|WSH001:s.WriteAsync(b, 0, b.Length)|};
    };
}");

        [Fact]
        public Task A_creation_and_raw_use_in_a_property_getter() => Verify.VerifyAsync(WSH001Tests.Usings + @"
class Prop
{
    private Stream _s = Stream.Null;
    Task Run
    {
        get
        {
            var ws = WebSocket.CreateFromStream(_s, true, null, TimeSpan.FromSeconds(5));
            return {|WSH001:_s.WriteAsync(new byte[1], 0, 1)|};
        }
    }
}");

        [Fact]
        public Task A_creation_in_a_constructor_chained_with_this() => Verify.VerifyAsync(WSH001Tests.Usings + @"
class Chained
{
    private readonly Stream _s;
    private WebSocket? _ws;
    public Chained() : this(Stream.Null) { }
    public Chained(Stream s)
    {
        _s = s;
        _ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.FromSeconds(5));
        {|WSH001:s.Flush()|};
    }
}");
    }
}
