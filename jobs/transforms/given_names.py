"""Common given names of the languages whose "and" is also a compound surname's joiner
(``y`` Spanish, ``e`` Portuguese and Italian, ``i`` Catalan, Polish and Croatian, ``a``
Czech and Slovak), folded (case and accents aside): one of them alone after such a
joiner, a name of two words or more before it, is a second person's given name
(``Marco Rossi e Anna``, ``Rossi Marco e Anna``: two, x48r1 F4), where a second
surname is not one of them (``José Ortega y Gasset``, ``João Pedro e Silva``, ``Jordi
Pujol i Soley``: one). A word not listed is read as a surname: a known limit, the
vocabulary being finite. Names also common as surnames (``Martín``, ``Pedro``) are
listed: the safe side (a refused row) when they are read so. x48r11 F3: the list lacked
202 of 425 common given names (``Valeria``, ``Hugo``, ``Pietro``, ``Klára``, ``Luz``,
``Paz``): ``Marco Rossi e Giacomo``, ``Juan y Paz`` were ONE person; it now holds ~700
(the common given names of Spain and Latin America, Portugal and Brazil, Italy,
Catalonia, Poland, Czechia and Slovakia, Croatia, Slovenia, Romania, and short English
ones — ``Bob``, ``Tom`` — from the names registries' most common lists as known to the
author); none a known compound surname's second part (``Silva``, ``Souza``, ``Gasset``,
``Cornet``, ``Soley``, ``Ruiz``).
"""

from __future__ import annotations

import unicodedata

GIVEN_NAMES = frozenset("""
    ana anna andrea angela antonia beatriz carla carmen carolina catalina clara cristina
    daniela elena eva francesca giulia irene isabel isabella juana julia laura lucia luisa
    manuela margarita maria marta martina monica natalia patricia paula pilar raquel rosa
    sara silvia sofia susana teresa valentina veronica victoria ines joana marta mariana
    beatrice chiara alessandra federica giovanna paola roberta serena simona elisa
    agnieszka katarzyna małgorzata magdalena joanna ewa barbara dorota krystyna zofia
    petra jana lenka hana eliska tereza lucie katerina ivana marija ana ivana mirela
    montserrat nuria merce mercedes rocio lourdes dolores concepcion josefa
    alberto alejandro alvaro andres antonio carlos cesar daniel david diego eduardo
    enrique fernando francisco gabriel javier jesus jorge jose juan luis manuel marcos
    mario miguel pablo pedro rafael ramon ricardo roberto santiago sergio tomas vicente
    joao paulo rui tiago andre bruno rodrigo
    marco luca giuseppe giovanni francesco alessandro andrea matteo lorenzo davide
    stefano paolo massimo fabio simone riccardo federico antonio
    jordi josep joan pere marc pau oriol xavier
    piotr paweł tomasz krzysztof andrzej marek michał jan adam łukasz jakub grzegorz
    petr pavel martin jiri josef tomas lukas ondrej milan ivan marko luka ante josip
    john mary james robert michael william richard thomas mark paul peter george anne
    """.split()) | frozenset("""
    valeria gabriela camila sofia ximena renata regina fernanda mariana daniela lucia
    luz paz sol alba ainhoa aitana alicia amaia amparo angeles araceli aurora blanca
    candela celia consuelo diana elisa elvira emma encarnacion esperanza esther estrella
    eugenia fatima gloria guadalupe inmaculada irene jimena josefina julia lidia lola
    lorena lorenza luciana macarena magdalena manuela marina marisol maite matilde
    milagros miriam nerea noelia nora olga paloma paola pepa rebeca remedios rocio
    rosario sandra soledad sonia tamara veronica vanesa virginia yolanda zoe abril
    agustina antonella florencia micaela milagros priscila rocio romina salome valentina
    adriana alejandra andrea barbara carolina cecilia claudia elena eva gemma ines
    isabella isabel jazmin jessica karina laia leire lucia marta mireia montse natalia
    nuria olivia pilar raquel rosa silvia susana teresa vera victoria
    hugo mateo lucas martin leo daniel pablo alejandro alvaro adrian david diego mario
    manuel javier sergio jorge carlos miguel antonio jose juan luis francisco rafael
    angel fernando ivan ruben oscar victor raul enrique alberto andres gonzalo ignacio
    jaime joaquin emilio felipe guillermo gustavo hector jesus julio lorenzo marcos
    nicolas octavio ramiro rodrigo salvador samuel santiago sebastian simon tomas
    benjamin bruno cristian dario eduardo esteban federico gabriel gerardo gregorio
    hernan jacobo leonardo marcelo mauricio maximiliano nahuel rafa ricardo roberto
    rogelio valentin xavier agustin alonso anselmo arturo bernardo cesar cristobal
    domingo elias ernesto eugenio fabian facundo fausto francisco german horacio
    humberto iker inigo isaac jonas julian lautaro leandro lisandro luciano marcelino
    matias maximo moises pascual patricio pedro rolando ruben thiago tobias ulises
    vicente
    leonor beatriz ines joana mariana matilde carolina catarina constanca francisca
    leticia luana madalena margarida raquel rita sofia vitoria yasmin yara bianca
    larissa leticia aline camila juliana fernanda patricia priscila tatiana vanessa
    gabriel joao pedro tiago rodrigo miguel goncalo duarte martim santiago tomas
    afonso diogo francisco henrique lourenco rafael salvador simao vasco andre bernardo
    bruno caio carlos davi enzo fabio felipe gustavo heitor igor lucas luiz marcelo
    mateus murilo otavio paulo renato ricardo rui sergio thiago vitor
    giulia alessia aurora beatrice chiara elisa emma francesca gaia giorgia greta ilaria
    ludovica marta martina matilde noemi rebecca sara sofia viola alice anna arianna
    bianca camilla carlotta caterina cecilia claudia debora elena eleonora erica
    federica gloria irene laura letizia lucrezia margherita maria monica nicole
    ornella paola rachele roberta rossella silvia simona stefania valentina veronica
    vittoria elisabetta benedetta ginevra nicoletta donatella antonella raffaella
    gabriella graziella luisa cinzia loredana patrizia tiziana barbara sabrina
    giacomo pietro leonardo francesco alessandro lorenzo mattia tommaso riccardo
    edoardo gabriele andrea diego nicolo matteo giuseppe antonio federico davide
    samuele filippo emanuele michele marco luca giovanni salvatore alberto angelo
    carlo claudio cristiano dario enrico fabrizio flavio franco gianluca gianni
    giorgio guido luigi manuel massimo maurizio mauro nicola paolo raffaele renato
    roberto rocco sergio simone stefano umberto valerio vincenzo vittorio
    laia mireia montserrat nuria merce meritxell nuria roser ariadna berta clara
    jordi josep joan pere marc pau oriol xavier arnau biel gerard guillem jaume lluis
    marti nil pol quim roger sergi xavi
    kasia basia gosia ania ola asia ula zosia maja zuzanna julia zofia hanna lena
    alicja amelia antonina natalia wiktoria oliwia aleksandra weronika gabriela
    emilia nikola martyna kinga karolina klaudia justyna monika paulina sylwia beata
    danuta elzbieta grazyna halina irena jadwiga janina jolanta marzena renata teresa
    urszula wanda iwona izabela kamila marianna patrycja agata aneta bozena edyta
    ewelina honorata
    kuba jakub antoni szymon filip franciszek mikolaj wojciech kacper aleksander
    bartosz dawid igor jan kamil krystian maciej mateusz michal oskar patryk piotr
    przemyslaw radoslaw rafal robert sebastian stanislaw tadeusz wiktor zbigniew
    zdzislaw bogdan boguslaw czeslaw dariusz henryk jacek janusz jerzy kazimierz
    leszek mariusz miroslaw roman ryszard slawomir waldemar wieslaw zenon
    klara tereza eliska anna adela natalie karolina kristyna barbora veronika
    nikola aneta michaela lucie marketa pavla simona vendula zuzana jitka dana
    ivana katerina lenka monika jana hana petra alena blanka dagmar eva irena
    ludmila marie vera zdenka jarmila vlasta radka
    jakub jan tomas adam matej vojtech ondrej filip lukas david daniel michal
    martin petr pavel jiri josef jaroslav milan miroslav zdenek vaclav karel
    frantisek ladislav stanislav vladimir radek roman stepan vit marek libor
    zuzka katka janka maria lucia viktoria ema sofia nina natalia simona
    matus samuel lukas marek juraj peter stefan dusan branislav miroslav
    lucija mia ema sara petra ana nika lana marta iva ivana marina mirjana
    snjezana vesna jelena dragana maja tena dora klara lorena
    luka ivan marko petar josip ante tomislav mario stjepan matej filip
    dario davor goran hrvoje igor kresimir nikola zoran zeljko damir
    eva ana zala lara spela nina tina mojca katja urska vesna
    luka jan nik anze ziga matej rok tilen jure blaz primoz
    maria elena ioana andreea alexandra ana mihaela cristina gabriela
    daniela adriana simona raluca roxana oana irina bianca alina diana
    ionela larisa teodora sorina
    andrei alexandru mihai ion ionut gheorghe vasile constantin adrian
    cristian florin marius bogdan razvan catalin sorin dan radu stefan
    bob bill tom jim joe ben sam tim nick alex chris max ann kate jane sue
    liz lisa emily sarah jessica jennifer susan linda karen nancy helen
    """.split())


def given_name(word: str) -> bool:
    """Whether ``word`` (one word of a name cell) is a common given name of the
    vocabulary, case and accents aside (``Anna``, ``MARÍA``, ``Piotr``)."""
    bare = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in bare if not unicodedata.combining(c)) in GIVEN_NAMES


__all__ = ["GIVEN_NAMES", "given_name"]
