using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace WebSocketHandoff.Analyzers
{
    // WSH004: your own helpers that read a member of an object by name, GetFieldValue(ws, "_stream"), whose body looks the
    // member up on the object's GetType().
    public sealed partial class WebSocketReflectionAnalyzer
    {
        /// <summary>Words of a method name that an instance reflection helper's name contains (GetFieldValue, GetPrivateProperty…).</summary>
        private static readonly ImmutableArray<string> s_instanceHelperWords = ImmutableArray.Create("Field", "Property", "Member", "Private");

        /// <summary>
        /// Whether a call that passes a literal name may be an instance reflection helper worth binding: its name says
        /// field/property/member/private.
        /// </summary>
        private static bool IsInstanceHelperName(string name)
        {
            foreach (string word in s_instanceHelperWords)
            {
                if (name.IndexOf(word, StringComparison.Ordinal) >= 0)
                {
                    return true;
                }
            }

            return false;
        }

        private sealed partial class Analysis
        {
            private readonly ConcurrentDictionary<IMethodSymbol, int> _instanceHelpers =
                new ConcurrentDictionary<IMethodSymbol, int>(SymbolEqualityComparer.Default);

            // GetFieldValue(ws, "_stream") with a helper that does obj.GetType().GetField(name, …).
            private void AnalyzeInstanceHelper(Action<Diagnostic> report, IInvocationOperation invocation)
            {
                if (!TryGetInstanceHelperCall(invocation, depth: 0, out TargetType? target, out string? name) || IsPublicName(target!, name!))
                {
                    return;
                }

                string what = "'" + invocation.TargetMethod.Name + "(\"" + name + "\")' on " + target!.Describe();
                report(Diagnostic.Create(Descriptors.WebSocketReflection, invocation.Syntax.GetLocation(), what));
            }

            /// <summary>The runtime type of what an instance helper returns: the value of the member it read.</summary>
            private TargetType? ResolveInstanceHelperValue(IInvocationOperation invocation, int depth)
            {
                if (!TryGetInstanceHelperCall(invocation, depth, out TargetType? target, out string? name))
                {
                    return null;
                }

                if (IsPublicName(target!, name!))
                {
                    return PublicMemberType(target!, name!) is { } memberType ? new TargetType(WithPublicDerivedTypes(memberType), null) : null;
                }

                return new TargetType(ImmutableArray.Create(_object), null, target!.Path + "." + name);
            }

            /// <summary>A call of an instance helper on an object tied to System.Net.WebSockets, with a constant member name.</summary>
            private bool TryGetInstanceHelperCall(IInvocationOperation invocation, int depth, out TargetType? target, out string? name)
            {
                target = null;
                name = null;
                IMethodSymbol method = invocation.TargetMethod;
                int instanceOrdinal = InstanceHelperParameter(method);
                if (instanceOrdinal < 0 || NextHop(depth) is not int hop)
                {
                    return false;
                }

                foreach (IArgumentOperation argument in invocation.Arguments)
                {
                    if (argument.Parameter is not { } parameter)
                    {
                        continue;
                    }

                    if (parameter.Ordinal == instanceOrdinal)
                    {
                        target = Resolve(argument.Value, ValueKind.Instance, hop);
                    }
                    else if (IsNameParameter(parameter))
                    {
                        name = ConstantString(argument.Value);
                    }
                }

                return target is not null && name is not null;
            }

            /// <summary>
            /// The ordinal of the object parameter of an instance reflection helper, or -1: a method declared in source outside
            /// the System namespaces, with an <c>object</c> (or generic) parameter and a member-name parameter, and no <c>Type</c>
            /// parameter, whose body runs a reflection lookup on that parameter's <c>GetType()</c>.
            /// </summary>
            private int InstanceHelperParameter(IMethodSymbol method) =>
                _instanceHelpers.GetOrAdd(method.OriginalDefinition, FindInstanceHelperParameter);

            private int FindInstanceHelperParameter(IMethodSymbol method)
            {
                if (method.DeclaringSyntaxReferences.IsEmpty || IsInSystemNamespace(method.ContainingType))
                {
                    return -1;
                }

                IParameterSymbol? instance = null;
                bool hasName = false;
                foreach (IParameterSymbol parameter in method.Parameters)
                {
                    if (SymbolEqualityComparer.Default.Equals(parameter.Type, _systemType))
                    {
                        return -1;
                    }

                    if (IsNameParameter(parameter))
                    {
                        hasName = true;
                    }
                    else if (instance is null
                             && (parameter.Type.SpecialType == SpecialType.System_Object || parameter.Type is ITypeParameterSymbol))
                    {
                        instance = parameter;
                    }
                }

                if (instance is null || !hasName)
                {
                    return -1;
                }

                foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
                {
                    foreach (SyntaxNode node in reference.GetSyntax().DescendantNodes())
                    {
                        // instance.GetType().GetField(…), or instance?.GetType().GetProperty(…).
                        if (node is InvocationExpressionSyntax lookup
                            && InvokedName(lookup) is string lookupName
                            && s_lookupNames.Contains(lookupName)
                            && (lookup.Expression as MemberAccessExpressionSyntax)?.Expression is InvocationExpressionSyntax getType
                            && InvokedName(getType) == "GetType"
                            && getType.ArgumentList.Arguments.Count == 0
                            && GetTypeReceiver(getType) is IdentifierNameSyntax { Identifier.ValueText: var receiver }
                            && receiver == instance.Name)
                        {
                            return instance.Ordinal;
                        }
                    }
                }

                return -1;
            }

            /// <summary>The <c>x</c> of <c>x.GetType()</c>, or of <c>x?.GetType()</c> (the receiver of the enclosing conditional access).</summary>
            private static ExpressionSyntax? GetTypeReceiver(InvocationExpressionSyntax getType)
            {
                switch (getType.Expression)
                {
                    case MemberAccessExpressionSyntax memberAccess:
                        return memberAccess.Expression;
                    case MemberBindingExpressionSyntax:
                        for (SyntaxNode? node = getType.Parent; node is not null; node = node.Parent)
                        {
                            if (node is ConditionalAccessExpressionSyntax conditional && conditional.WhenNotNull.Span.Contains(getType.Span))
                            {
                                return conditional.Expression;
                            }
                        }

                        return null;
                    default:
                        return null;
                }
            }
        }
    }
}
